"""Flows linted as deployed: Terraform genesyscloud_flow resources, modules, tfvars,
templatefile(), Archy options files and command-line substitutions (flowlint.deploy)."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from flowlint.cli import main
from flowlint.config import Config
from flowlint.diagnostics import Diagnostic
from flowlint.engine import check_paths

from .helpers import write_project

#: An inbound flow that sets an attribute and transfers to a flow named by a placeholder.
INBOUND = """\
inboundCall:
  name: "{{flow_name}}"
  division: "{{division}}"
  startUpRef: /inboundCall/tasks/task[t]
  tasks:
    - task:
        name: Start
        refId: t
        actions:
          - setParticipantData:
              name: Remember
              attributes:
                - attribute:
                    name:
                      lit: CustomerTier
                    value:
                      exp: Call.Ani
          - transferToFlow:
              name: To support
              targetFlow:
                name: "{{support_flow}}"
"""
#: The flow it transfers to: reads what the inbound flow set.
SUPPORT = """\
inboundCall:
  name: "{{flow_name}}"
  startUpRef: /inboundCall/tasks/task[t]
  tasks:
    - task:
        name: Start
        refId: t
        actions:
          - getParticipantData:
              name: Read tier
              attributes:
                - attribute:
                    name:
                      lit: CustomerTier
                    variable: Task.tier
          - disconnect:
              name: Done
"""
MODULE_TF = """\
variable "flow_name" {
  type = string
}
variable "support_flow" {
  type    = string
  default = ""
}
variable "division" {
  type    = string
  default = "Home"
}
resource "genesyscloud_flow" "this" {
  filepath = "${path.module}/flow.yaml"
  substitutions = {
    flow_name    = var.flow_name
    support_flow = var.support_flow
    division     = var.division
  }
}
"""


def check(root: Path, files: dict[str, str], config: Config | None = None, **kwargs: object) -> list[Diagnostic]:
    write_project(root, files)
    return check_paths([str(root)], config, **kwargs).diagnostics  # type: ignore[arg-type]


def codes(diagnostics: list[Diagnostic]) -> list[str]:
    return [d.code for d in diagnostics]


def repository(support_name: str = '"Support"') -> dict[str, str]:
    return {
        "main.tf": f"""\
            module "inbound" {{
              source       = "./modules/inbound"
              flow_name    = "Main IVR"
              support_flow = {support_name}
            }}
            resource "genesyscloud_flow" "support" {{
              filepath = "${{path.module}}/flows/support.yaml"
              substitutions = {{
                flow_name = "Support"
              }}
            }}
            """,
        "modules/inbound/main.tf": MODULE_TF.replace("flow.yaml", "inbound.yaml"),
        "modules/inbound/inbound.yaml": INBOUND,
        "flows/support.yaml": SUPPORT,
    }


def test_templated_names_link_flows_as_deployed(tmp_path: Path) -> None:
    """Without the Terraform, both flows are named '{{flow_name}}' and the transfer goes
    nowhere: the Get reads an attribute 'no flow sets before it' (FL005).  As deployed,
    Main IVR sets it and transfers to Support: nothing to report."""
    found = check(tmp_path, repository())
    assert found == []
    bare = check(tmp_path / "bare", {k: v for k, v in repository().items() if not k.endswith(".tf")})
    assert "FL005" in codes(bare)


def test_a_wrong_substituted_target_is_reported_at_the_placeholder(tmp_path: Path) -> None:
    found = check(tmp_path, repository('"Suport"'))
    unknown = [d for d in found if d.code == "FL106"]
    assert len(unknown) == 1
    assert unknown[0].file.endswith("modules/inbound/inbound.yaml")
    assert unknown[0].span is not None and (unknown[0].span.line, unknown[0].span.column) == (21, 23)  # the placeholder
    assert "'Suport' is not a flow" in unknown[0].message and "did you mean 'Support'" in unknown[0].message
    assert "[deployed by module.inbound.genesyscloud_flow.this]" in unknown[0].message
    assert "FL005" in codes(found)  # Support is now reached by nothing


def test_module_deployed_twice_is_two_flows(tmp_path: Path) -> None:
    files = {
        "main.tf": """\
            module "sales" {
              source    = "./modules/ivr"
              flow_name = "Sales IVR"
            }
            module "support" {
              source    = "./modules/ivr"
              flow_name = "Support IVR"
              division  = "Support"
            }
            """,
        "modules/ivr/main.tf": MODULE_TF,
        "modules/ivr/flow.yaml": INBOUND.replace('"{{support_flow}}"', "Elsewhere"),
    }
    write_project(tmp_path, files)
    result = check_paths([str(tmp_path)], None)
    names = sorted(f.name for f in result.project.flows)
    assert names == ["Sales IVR", "Support IVR"]
    deployments = sorted(f.deployment or "" for f in result.project.flows)
    assert deployments == ["module.sales.genesyscloud_flow.this", "module.support.genesyscloud_flow.this"]
    # One finding for the one defect, naming both deployments.
    (unknown,) = [d for d in result.diagnostics if d.code == "FL106"]
    assert unknown.message.endswith("[deployed by module.sales.genesyscloud_flow.this, "
                                    "module.support.genesyscloud_flow.this]")


def test_same_name_twice_in_one_root_is_a_duplicate(tmp_path: Path) -> None:
    files = {
        "main.tf": 'module "a" {\n  source = "./m"\n  flow_name = "Main"\n}\n'
                   'module "b" {\n  source = "./m"\n  flow_name = "Main"\n}\n',
        "m/main.tf": MODULE_TF,
        "m/flow.yaml": SUPPORT,
    }
    found = check(tmp_path, files)
    (duplicate,) = [d for d in found if d.code == "FL105"]
    assert "deployed by module.a.genesyscloud_flow.this" in duplicate.message
    assert duplicate.message.endswith("[deployed by module.b.genesyscloud_flow.this]")


def test_two_roots_deploying_one_module_are_not_duplicates(tmp_path: Path) -> None:
    """dev/ and prod/ deploy the same module to two organisations (a public blueprint's layout)."""
    files = {
        "dev/main.tf": 'module "ivr" {\n  source = "../modules/ivr"\n  flow_name = "Main"\n}\n',
        "prod/main.tf": 'module "ivr" {\n  source = "../modules/ivr"\n  flow_name = "Main"\n}\n',
        "modules/ivr/main.tf": MODULE_TF,
        "modules/ivr/flow.yaml": SUPPORT,
    }
    found = check(tmp_path, files)
    assert "FL105" not in codes(found)
    result = check_paths([str(tmp_path)])
    assert sorted(os.path.basename(f.root) for f in result.project.flows) == ["dev", "prod"]


def test_tfvars_override_a_default(tmp_path: Path) -> None:
    files = {
        "variables.tf": 'variable "flow_name" {\n  default = "From default"\n}\n'
                        'variable "target" {\n  default = "Default target"\n}\n'
                        'variable "division" {\n  default = "Home"\n}\n',
        "terraform.tfvars": 'flow_name = "From tfvars"\ntarget = "From tfvars"\n',
        "b.auto.tfvars": 'target = "From b.auto"\n',
        "a.auto.tfvars": 'target = "From a.auto"\n',
        "envs/prod.tfvars": 'flow_name = "Only with -var-file"\n',  # never loaded automatically
        "main.tf": 'resource "genesyscloud_flow" "f" {\n  filepath = "./flow.yaml"\n  substitutions = {\n'
                   '    flow_name = var.flow_name\n    division = var.division\n    support_flow = var.target\n'
                   '  }\n}\n',
        "flow.yaml": INBOUND,
    }
    write_project(tmp_path, files)
    result = check_paths([str(tmp_path)])
    (flow,) = result.project.flows
    assert flow.name == "From tfvars"  # terraform.tfvars over the default
    (transfer,) = [a for a in flow.actions if a.target is not None]
    assert transfer.target is not None and transfer.target.text == "From b.auto"  # *.auto.tfvars last, in order
    assert "FL110" not in codes(result.diagnostics)


def test_locals_and_string_templates(tmp_path: Path) -> None:
    files = {
        "main.tf": textwrap.dedent("""\
            variable "environment" {
              default = "dev"
            }
            locals {
              prefix = "${upper(var.environment)}-"
              flows  = "${path.module}/flows"
            }
            resource "genesyscloud_flow" "f" {
              filepath = "${local.flows}/support.yaml"
              substitutions = {
                flow_name = format("%sSupport %d", local.prefix, 2)
              }
            }
            """),
        "flows/support.yaml": SUPPORT,
    }
    write_project(tmp_path, files)
    (flow,) = check_paths([str(tmp_path)]).project.flows
    assert flow.name == "DEV-Support 2"


def test_templatefile_through_local_file(tmp_path: Path) -> None:
    template = SUPPORT.replace('"{{flow_name}}"', "${flow_name}").replace("CustomerTier", "${attribute}")
    files = {
        "main.tf": textwrap.dedent("""\
            resource "local_file" "support" {
              content  = templatefile("${path.module}/templates/support.tftpl", {
                flow_name = "Support"
                attribute = "CustomerTier"
              })
              filename = "${path.module}/rendered/support.yaml"
            }
            resource "genesyscloud_flow" "support" {
              filepath = local_file.support.filename
            }
            """),
        "templates/support.tftpl": template,
        # The committed render is replaced at apply time: not linted as a flow of its own.
        "rendered/support.yaml": template,
    }
    write_project(tmp_path, files)
    result = check_paths([str(tmp_path)])
    (flow,) = result.project.flows
    assert flow.name == "Support"
    assert flow.file.path.endswith("templates/support.tftpl")
    (get,) = [a for a in flow.actions if a.attributes]
    assert get.attributes[0].name.text == "CustomerTier"
    assert "FL105" not in codes(result.diagnostics)


def test_options_file_next_to_the_flow(tmp_path: Path) -> None:
    files = {
        "flows/support.yaml": SUPPORT,
        "flows/archy-options.yaml": "clientId: abc\nsubstitutions:\n  flow_name: Support\n  unused_key: x\n",
    }
    write_project(tmp_path, files)
    result = check_paths([str(tmp_path)])
    (flow,) = result.project.flows
    assert flow.name == "Support"
    assert flow.deployment == f"options file {tmp_path / 'flows' / 'archy-options.yaml'}"
    (unused,) = [d for d in result.diagnostics if d.code == "FL111"]
    assert unused.file.endswith("archy-options.yaml") and unused.span is not None and unused.span.line == 4


def test_options_file_named_by_file_key_and_missing_value(tmp_path: Path) -> None:
    files = {
        "flows/inbound.yaml": INBOUND,
        "deploy/inbound-options.yml": "file: ../flows/inbound.yaml\nsubstitutions:\n  flow_name: Main\n"
                                      "  support_flow: Support\n",
    }
    write_project(tmp_path, files)
    result = check_paths([str(tmp_path)])
    (flow,) = result.project.flows
    assert flow.name == "Main"
    (missing,) = [d for d in result.diagnostics if d.code == "FL110"]
    assert "'{{division}}' has no value" in missing.message and missing.span is not None
    assert (missing.span.line, missing.span.column) == (3, 14)


def test_command_line_and_config_values(tmp_path: Path) -> None:
    write_project(tmp_path, {"support.yaml": SUPPORT})
    config = Config(substitutions={"flow_name": "From config"}, substitutions_origin="cfg")
    (flow,) = check_paths([str(tmp_path)], config).project.flows
    assert flow.name == "From config"
    runner = CliRunner()
    result = runner.invoke(main, ["check", str(tmp_path), "--no-cache", "--format", "json",
                                  "--substitute", "flow_name=Support", "--substitute", "unused=1"])
    (finding,) = json.loads(result.output)["diagnostics"]  # the Get has no Set: FL005, in flow 'Support'
    assert (finding["rule"], finding["flow"]) == ("FL005", "Support")
    assert "deployed by" not in finding["message"]  # partial values: not a deployment
    bad = runner.invoke(main, ["check", str(tmp_path), "--substitute", "no value"])
    assert bad.exit_code == 2 and "expected KEY=VALUE" in bad.output


def test_unresolvable_values_stay_opaque(tmp_path: Path) -> None:
    """A data source, a remote module's output and an unset variable: unknown, never an
    error and never a guess; two placeholders fed by the same unknown still meet."""
    files = {
        "main.tf": textwrap.dedent("""\
            variable "support_name" {
              type = string
            }
            data "genesyscloud_flow" "existing" {
              name = "Legacy"
            }
            module "remote" {
              source = "git::https://example.com/module.git"
            }
            module "inbound" {
              source       = "./modules/inbound"
              flow_name    = module.remote.name
              support_flow = var.support_name
              division     = data.genesyscloud_flow.existing.id
            }
            resource "genesyscloud_flow" "support" {
              filepath = "${path.module}/support.yaml"
              substitutions = {
                flow_name = var.support_name
              }
            }
            """),
        "modules/inbound/main.tf": MODULE_TF.replace("flow.yaml", "inbound.yaml"),
        "modules/inbound/inbound.yaml": INBOUND,
        "support.yaml": SUPPORT,
    }
    write_project(tmp_path, files)
    result = check_paths([str(tmp_path)])
    assert result.diagnostics == []  # the transfer reaches Support through the same unknown variable
    names = sorted(f.name for f in result.project.flows)
    assert names == ["${module.remote.name}", "${var.support_name}"]


def test_bad_terraform_is_a_finding_and_the_rest_is_linted(tmp_path: Path) -> None:
    files = dict(repository())
    files["broken.tf"] = 'resource "genesyscloud_flow" "x" {\n  filepath = \n'
    found = check(tmp_path, files)
    broken = [d for d in found if d.code == "FL100"]
    assert len(broken) == 1 and broken[0].file.endswith("broken.tf") and "invalid HCL" in broken[0].message
    assert [d for d in found if d.code != "FL100"] == []  # the rest still linted as deployed


def test_module_cycle(tmp_path: Path) -> None:
    files = {
        "main.tf": 'module "a" {\n  source = "./a"\n}\n',
        "a/main.tf": 'module "b" {\n  source = "../b"\n}\n',
        "b/main.tf": 'module "a" {\n  source = "../a"\n}\n',
    }
    found = check(tmp_path, files)
    assert [d.code for d in found] == ["FL100"]
    assert "module cycle" in found[0].message and found[0].file.endswith("b/main.tf")


@pytest.mark.parametrize(("filepath", "code", "words"), [
    ("https://example.com/flow.yaml", "FL116", "fetched from https"),
    ("s3://bucket/flow.yaml", "FL116", "fetched from s3"),
    ("${data.external.path.result}", "FL116", "cannot be resolved offline"),
    ("/nonexistent/flow.yaml", "FL115", "does not exist"),
])
def test_filepaths_that_cannot_be_linted(tmp_path: Path, filepath: str, code: str, words: str) -> None:
    found = check(tmp_path, {"main.tf": f'resource "genesyscloud_flow" "f" {{\n  filepath = "{filepath}"\n}}\n'})
    assert [d.code for d in found] == [code]
    assert words in found[0].message and found[0].span is not None and found[0].span.line == 2


def test_filepath_outside_the_linted_paths(tmp_path: Path) -> None:
    write_project(tmp_path, {"outside/flow.yaml": SUPPORT,
                             "infra/main.tf": 'resource "genesyscloud_flow" "f" {\n'
                                              '  filepath = "${path.module}/../outside/flow.yaml"\n}\n'})
    found = check_paths([str(tmp_path / "infra")]).diagnostics
    assert [d.code for d in found] == ["FL116"] and "outside the linted paths" in found[0].message


def test_huge_terraform_file(tmp_path: Path) -> None:
    write_project(tmp_path, repository())
    (tmp_path / "huge.tf").write_text("# padding\n" * (10 * 1024 * 1024 // 10), encoding="utf-8")
    found = check_paths([str(tmp_path)]).diagnostics
    assert [d.code for d in found] == ["FL100"] and "too large" in found[0].message


@pytest.mark.parametrize("value", ['"Main: \\"IVR\\""', '"line one\\nline two"', '"a # b"'])
def test_values_that_break_the_yaml(tmp_path: Path, value: str) -> None:
    files = {"main.tf": 'resource "genesyscloud_flow" "f" {\n  filepath = "./flow.yaml"\n  substitutions = {\n'
                        f'    flow_name = {value}\n  }}\n}}\n',
             "flow.yaml": SUPPORT.replace('"{{flow_name}}"', "{{flow_name}}")}
    found = check(tmp_path, files)
    broken = [d for d in found if d.code == "FL100"]
    if value == '"a # b"':  # a comment swallows the rest of the line: valid YAML, another name
        assert broken == []
        return
    assert len(broken) == 1 and "not valid YAML" in broken[0].message
    assert broken[0].span is not None and broken[0].span.line == 2


def test_findings_in_tf_files_in_every_format_baseline_and_per_file_ignores(tmp_path: Path) -> None:
    files = {"main.tf": 'resource "genesyscloud_flow" "f" {\n  filepath = "./flow.yaml"\n  substitutions = {\n'
                        '    flow_name = "Main"\n    force_unlock = true\n  }\n}\n',
             "flow.yaml": SUPPORT}
    write_project(tmp_path, files)
    runner = CliRunner()
    for fmt in ("text", "json", "sarif", "github", "junit"):
        result = runner.invoke(main, ["check", str(tmp_path), "--no-cache", "--format", fmt])
        assert result.exit_code == 1, (fmt, result.output)
        assert "main.tf" in result.output and "FL112" in result.output, fmt
    baseline = tmp_path / "baseline.json"
    runner.invoke(main, ["check", str(tmp_path), "--no-cache", "--write-baseline", str(baseline)])
    assert runner.invoke(main, ["check", str(tmp_path), "--no-cache", "--baseline", str(baseline)]).exit_code == 0
    (tmp_path / ".flowlint.toml").write_text('select = ["FL1"]\n[per-file-ignores]\n"*.tf" = ["FL112"]\n',
                                             encoding="utf-8")
    assert runner.invoke(main, ["check", str(tmp_path), "--no-cache"]).exit_code == 0
    (tmp_path / ".flowlint.toml").write_text('select = ["FL1"]\n', encoding="utf-8")
    assert runner.invoke(main, ["check", str(tmp_path), "--no-cache"]).exit_code == 1
    (tmp_path / ".flowlint.toml").write_text('select = ["FL1"]\n[per-file-ignores]\n"main.tf" = ["FL112"]\n',
                                             encoding="utf-8")
    assert runner.invoke(main, ["check", str(tmp_path), "--no-cache"]).exit_code == 0


SECRET = "s3cr3t-Value-never-printed"


def test_no_secret_value_in_any_output(tmp_path: Path) -> None:
    flow = SUPPORT.replace("- disconnect:\n              name: Done", textwrap.dedent("""\
        - callData:
                      name: Look up
                      category:
                        Accounts:
                          dataAction:
                            Lookup:
                              inputs:
                                key:
                                  exp: "{{api_key}} + 1"
                                token:
                                  lit: "{{tokenValue}}"
                      outputs:
                        success:
                          actions:
                            - transferToFlow:
                                name: To
                                targetFlow:
                                  name: "{{api_key}}"
        """).rstrip())
    files = {
        "main.tf": textwrap.dedent(f"""\
            variable "api_key" {{
              default = "{SECRET}"
            }}
            resource "genesyscloud_flow" "f" {{
              filepath = "${{path.module}}/flow.yaml"
              substitutions = {{
                flow_name  = "Main"
                api_key    = var.api_key
                tokenValue = "{SECRET}"
                creds      = var.api_key
              }}
            }}
            """),
        "dev.auto.tfvars": f'api_key = "{SECRET}"\n',
        "flow.yaml": flow,
        "opts/archy-options.yaml": f"substitutions:\n  clientSecret: {SECRET}\n  flow_name: Other\n",
        "opts/other.yaml": SUPPORT.replace("{{flow_name}}", "{{clientSecret}}"),
    }
    write_project(tmp_path, files)
    runner = CliRunner()
    outputs: list[str] = []
    for fmt in ("text", "json", "sarif", "github", "junit"):
        result = runner.invoke(main, ["check", str(tmp_path), "--no-cache", "--format", fmt,
                                      "--substitute", f"password={SECRET}"])
        outputs.append(result.output)
        assert result.exit_code == 1, result.output
    everything = "\n".join(outputs)
    assert SECRET not in everything
    assert "FL114" in outputs[0]
    report = json.loads(outputs[1])
    assert {d["rule"] for d in report["diagnostics"]} >= {"FL114"}


def test_cached_and_parallel_runs_agree_and_follow_tf_edits(tmp_path: Path) -> None:
    write_project(tmp_path / "p", repository())
    root = tmp_path / "p"
    cache = str(tmp_path / "cache")

    def outcome(**kwargs: object) -> list[tuple[str, str, str]]:
        found = check_paths([str(root)], None, **kwargs).diagnostics  # type: ignore[arg-type]
        return [(d.code, d.file, d.message) for d in found]

    assert outcome(jobs=2, cache_dir=cache) == outcome() == []
    assert outcome(jobs=1, cache_dir=cache) == []
    main_tf = root / "main.tf"
    main_tf.write_text(main_tf.read_text(encoding="utf-8").replace('"Support"\n', '"Suport"\n', 1),
                       encoding="utf-8")
    cached = outcome(jobs=1, cache_dir=cache)
    assert cached == outcome() and "FL106" in [c for c, _, _ in cached]


def test_parsed_terraform_is_cached_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from flowlint.deploy import repository as repo
    from flowlint.deploy.hcl import TfFile

    write_project(tmp_path / "p", repository())
    cache = str(tmp_path / "cache")
    first = check_paths([str(tmp_path / "p")], None, cache_dir=cache)
    monkeypatch.setattr(repo, "_PARSED", {})  # a new process: nothing in memory
    calls: list[str] = []
    real = repo.parse_tf

    def counting(path: str, text: str) -> TfFile:
        calls.append(path)
        return real(path, text)

    monkeypatch.setattr(repo, "parse_tf", counting)
    again = check_paths([str(tmp_path / "p")], None, cache_dir=cache)
    assert calls == [] and again.diagnostics == first.diagnostics == []


def test_flows_outside_terraform_are_linted_as_before(tmp_path: Path) -> None:
    found = check(tmp_path, {"flows/support.yaml": SUPPORT})
    assert codes(found) == ["FL005"]
    assert found[0].message.find("deployed by") == -1


def test_placeholders_in_expressions_and_variable_names(tmp_path: Path) -> None:
    """A placeholder inside an expression and inside a variable name: substituted, the names
    agree (no FL104) and an expression broken by a value is reported at the placeholder."""
    flow = textwrap.dedent("""\
        inboundCall:
          name: Main
          startUpRef: /inboundCall/tasks/task[t]
          variables:
            - stringVariable:
                name: Flow.{{prefix}}Tier
                initialValue:
                  noValue: true
          tasks:
            - task:
                name: Start
                refId: t
                actions:
                  - decision:
                      name: Check
                      condition:
                        exp: "Flow.{{prefix}}Tier == \\"{{tier}}\\" and Length({{limit}}) > 0"
                  - disconnect:
                      name: Done
        """)
    tf = ('resource "genesyscloud_flow" "f" {\n  filepath = "./flow.yaml"\n  substitutions = {\n'
          '    prefix = "Vip"\n    tier = "Gold"\n    limit = "%s"\n  }\n}\n')
    good = check(tmp_path / "good", {"main.tf": tf % "Flow.VipTier", "flow.yaml": flow})
    assert good == []
    bad = check(tmp_path / "bad", {"main.tf": tf % "((", "flow.yaml": flow})
    (broken,) = [d for d in bad if d.code == "FL101"]
    assert broken.span is not None and broken.span.line == 17
    line = flow.splitlines()[16]
    placeholder = line.index("{{limit}}") + 1
    assert placeholder <= broken.span.column <= placeholder + len("{{limit}}"), (broken.span, line)


def test_cache_environment_is_stable_across_processes(tmp_path: Path) -> None:
    """A Terraform project's cache entries must be found by the next process (sets of paths
    repr in a per-process order: the environment digest must not depend on it)."""
    import subprocess
    import sys

    files = dict(repository())
    files["render.tf"] = ('resource "local_file" "a" {\n  content = templatefile("t.tftpl", {})\n'
                          '  filename = "a.yaml"\n}\nresource "local_file" "b" {\n'
                          '  content = templatefile("t.tftpl", {})\n  filename = "b.yaml"\n}\n')
    write_project(tmp_path, files)
    script = ("from flowlint.cache import environment; from flowlint.config import Config; "
              "from flowlint.engine import read_deployments; from flowlint.loaders.discover import discover_all; "
              f"print(environment(read_deployments(list(discover_all([{str(tmp_path)!r}])), Config())[0]))")
    digests = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(digests) == 1


def test_module_outputs_whatever_the_order_and_for_each(tmp_path: Path) -> None:
    """A module input may read a sibling's output declared later in the file, and a
    for_each instance's output by its key."""
    module = ('variable "filepath" {}\nvariable "flow_name" {}\nvariable "substitutions" {\n  default = {}\n}\n'
              'resource "genesyscloud_flow" "this" {\n  filepath = var.filepath\n'
              '  substitutions = merge(var.substitutions, { flow_name = var.flow_name })\n}\n'
              'output "flow_name" {\n  value = var.flow_name\n}\n')
    caller = INBOUND.replace('  division: "{{division}}"\n', "")
    files = {
        "main.tf": textwrap.dedent("""\
            module "a_caller" {
              source        = "./m"
              filepath      = "${path.module}/caller.yaml"
              flow_name     = "Caller"
              substitutions = { support_flow = module.b_target.flow_name }
            }
            module "b_target" {
              source    = "./m"
              filepath  = "${path.module}/target.yaml"
              flow_name = "Target"
            }
            module "set" {
              for_each  = { one = "One", two = "Two" }
              source    = "./m"
              filepath  = "${path.module}/${each.key}.yaml"
              flow_name = each.value
            }
            module "c_caller" {
              source        = "./m"
              filepath      = "${path.module}/caller2.yaml"
              flow_name     = "Caller 2"
              substitutions = { support_flow = module.set["two"].flow_name }
            }
            """),
        "m/main.tf": module,
        "caller.yaml": caller,
        "caller2.yaml": caller,
        "target.yaml": SUPPORT,
        "one.yaml": SUPPORT.replace("CustomerTier", "Other"),
        "two.yaml": SUPPORT,
    }
    write_project(tmp_path, files)
    result = check_paths([str(tmp_path)])
    targets = sorted(a.target.text for f in result.project.flows for a in f.actions
                     if a.target is not None and a.target.text)
    assert targets == ["Target", "Two"]
    assert sorted(f.name for f in result.project.flows) == ["Caller", "Caller 2", "One", "Target", "Two"]


def test_keys_passed_down_to_a_shared_module_are_reported_where_written(tmp_path: Path) -> None:
    module = ('variable "substitutions" {}\nresource "genesyscloud_flow" "this" {\n'
              '  filepath = "${path.module}/flow.yaml"\n'
              '  substitutions = merge(var.substitutions, { flow_name = "Main" })\n}\n')
    files = {"main.tf": 'module "a" {\n  source = "./m"\n  substitutions = {\n    force_unlock = true\n  }\n}\n',
             "m/main.tf": module, "m/flow.yaml": SUPPORT}
    found = check(tmp_path, files)
    (misplaced,) = [d for d in found if d.code == "FL112"]
    assert misplaced.file.endswith("main.tf") and not misplaced.file.endswith("m/main.tf")
    assert misplaced.span is not None and (misplaced.span.line, misplaced.span.column) == (4, 5)


def test_a_load_time_finding_of_a_template_deployed_twice_names_both(tmp_path: Path) -> None:
    """FL108 (a loader's finding) in a module deployed twice: one finding, both deployments."""
    files = {
        "main.tf": 'module "a" {\n  source = "./m"\n  flow_name = "A"\n}\n'
                   'module "b" {\n  source = "./m"\n  flow_name = "B"\n}\n',
        "m/main.tf": MODULE_TF,
        "m/flow.yaml": SUPPORT.replace("  startUpRef:", "  description: x\n  description: y\n  startUpRef:"),
    }
    (repeated,) = [d for d in check(tmp_path, files) if d.code == "FL108"]
    assert repeated.message.endswith("[deployed by module.a.genesyscloud_flow.this, module.b.genesyscloud_flow.this]")
