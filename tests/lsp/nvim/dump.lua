-- Driven by tests/test_lsp_nvim.py.  Waits until the current buffer has FLOWLINT_EXPECT
-- diagnostics (or 20 s) and records what vim.diagnostic.get() returns.  Then, if
-- FLOWLINT_FROM is set, replaces its first occurrence in the buffer with FLOWLINT_TO (an
-- unsaved edit, sent as an incremental didChange) and waits for FLOWLINT_EXPECT_AFTER
-- diagnostics.  Writes {before, after, clients} as JSON to FLOWLINT_OUT and quits.
local buf = vim.api.nvim_get_current_buf()

local function collect(expected)
  local ok = vim.wait(20000, function()
    return #vim.diagnostic.get(buf) == expected
  end, 20)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local lsp = (d.user_data or {}).lsp or {}
    table.insert(found, {
      lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
      severity = d.severity, message = d.message, source = d.source,
      code = d.code or lsp.code,
    })
  end
  return { ok = ok, diagnostics = found }
end

local result = { before = collect(tonumber(vim.env.FLOWLINT_EXPECT)) }

local from = vim.env.FLOWLINT_FROM
if from then
  for lnum, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local start = line:find(from, 1, true)
    if start then
      vim.api.nvim_buf_set_text(buf, lnum - 1, start - 1, lnum - 1, start - 1 + #from, { vim.env.FLOWLINT_TO })
      break
    end
  end
  result.after = collect(tonumber(vim.env.FLOWLINT_EXPECT_AFTER))
end

result.clients = {}
for _, client in pairs(vim.lsp.get_active_clients()) do
  table.insert(result.clients, { name = client.name, root = client.config.root_dir,
                                 encoding = client.offset_encoding })
end
vim.fn.writefile({ vim.fn.json_encode(result) }, vim.env.FLOWLINT_OUT)
vim.cmd("qa!")
