-- A minimal Neovim configuration that attaches `flowlint lsp` to Archy YAML files.
-- tests/test_lsp_nvim.py uses it as is; README "Editor integration" shows the same setup.
-- FLOWLINT_LSP_CMD (JSON list) overrides the command, for running from a checkout.
vim.cmd("filetype on")

local cmd = { "flowlint", "lsp" }
if vim.env.FLOWLINT_LSP_CMD then
  cmd = vim.fn.json_decode(vim.env.FLOWLINT_LSP_CMD)
end

local function project_root(path)
  for dir in vim.fs and vim.fs.parents and vim.fs.parents(path) or function() end do
    if vim.loop.fs_stat(dir .. "/.flowlint.toml") or vim.loop.fs_stat(dir .. "/.git") then
      return dir
    end
  end
  return vim.loop.cwd()
end

vim.api.nvim_create_autocmd("FileType", {
  pattern = "yaml",
  callback = function(args)
    local root = project_root(vim.api.nvim_buf_get_name(args.buf))
    local config = { name = "flowlint", cmd = cmd, root_dir = root }
    if vim.lsp.start then -- Neovim 0.8+
      vim.lsp.start(config, { bufnr = args.buf })
    else -- Neovim 0.7 (Debian 12)
      _G.flowlint_client = _G.flowlint_client or vim.lsp.start_client(config)
      vim.lsp.buf_attach_client(args.buf, _G.flowlint_client)
    end
  end,
})
