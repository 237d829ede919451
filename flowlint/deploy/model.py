"""How a flow file is deployed: by which resource (or options file), with which substitutions.

A :class:`Deployment` is one flow as the platform will see it: the same template deployed
by two Terraform resources (a module called twice) is two deployments, hence two flows.
Values that cannot be known offline (a variable without a value, a data source, a remote
module's output) are *unknown*: their text is a symbol such as ``${var.bot_flow_name}``,
which reads as a placeholder everywhere in flowlint (so the value stays opaque) and is
equal only to the same symbol of the same Terraform root (so two placeholders fed by the
same variable still name the same flow).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field

from flowlint.ir import Span

#: Substitution keys that name a credential: their values are never substituted into the
#: linted text and never printed (basis: semantics-2.md §7.4, credentials seen as values).
SECRET_KEY_RE = re.compile(
    r"secret|passw(or)?d|passwd|\bpwd|token|api[_-]?key|apikey|credential|private[_-]?key|access[_-]?key|auth[_-]?key",
    re.IGNORECASE)

#: ``{{key}}`` exactly as the provider and Archy replace it (``strings.Replace`` of ``"{{"+key+"}}"``).
EXACT_PLACEHOLDER_RE = re.compile(r"\{\{([^{}\s]+)\}\}")
#: ``{{ key }}``: never replaced by the provider (Archy forbids spaced keys).  Only spaced
#: forms match (a space or tab after ``{{`` or before ``}}``): most files have none, and are
#: scanned at C speed.
SPACED_PLACEHOLDER_RE = re.compile(r"\{\{([ \t]+)([^{}\n]*?)([ \t]*)\}\}|\{\{()([^{}\n]*?[^{}\s])([ \t]+)\}\}")
#: ``${key}``: Terraform templatefile() syntax (``$${`` is an escaped ``${``).
TEMPLATE_PLACEHOLDER_RE = re.compile(r"(?<!\$)\$\{([^{}\n]*)\}")


def is_secret_key(key: str) -> bool:
    return SECRET_KEY_RE.search(key) is not None


@dataclass(frozen=True, slots=True)
class Origin:
    """Where something is written in a ``.tf``, ``.tfvars`` or options file."""

    path: str
    span: Span | None


@dataclass(frozen=True, slots=True)
class Substitution:
    key: str
    #: The value's text; for an unknown value its symbol (``${var.x}``); for a secret key
    #: the placeholder itself (the value is never kept).
    text: str
    known: bool
    #: Where the key is written.
    origin: Origin
    secret: bool = False
    #: For unknown values: the expression it came from, for hovers (``var.bot_flow_name``).
    source: str = ""


@dataclass(frozen=True, slots=True)
class Deployment:
    """One deployed flow: a flow file plus the values it is deployed with."""

    #: Absolute path of the flow file (the template) that is deployed.
    file: str
    #: Who deploys it: ``module.support.genesyscloud_flow.this``, ``options file ci/opts.yaml``...
    address: str
    #: Where the deploying resource or options file is (FL111/FL112/FL114 point into it).
    origin: Origin
    #: ``{{key}}`` substitutions (Terraform ``substitutions``, Archy options, command line).
    substitutions: tuple[Substitution, ...] = ()
    #: ``templatefile()`` variables when the file is rendered through one (``${key}``), else None.
    template_vars: tuple[Substitution, ...] | None = None
    #: False when the substitution map itself is unknown (``substitutions = var.subs``):
    #: then a placeholder without a value is not reported.
    keys_known: bool = True
    #: Terraform root directory ("" for options files and the command line).
    root: str = ""
    kind: str = "terraform"

    def values(self) -> dict[str, Substitution]:
        return {s.key: s for s in self.substitutions}

    def template_values(self) -> dict[str, Substitution]:
        return {s.key: s for s in self.template_vars or ()}


class DataActionEffect(enum.StrEnum):
    """What a data action does to conversation attributes, from its request (semantics-2 §4, §9.3)."""

    #: ``PATCH|PUT .../participants/{id}/attributes``: writes any participant attribute.
    WRITES_PARTICIPANT_DATA = "writes participant data"
    #: ``PATCH|PUT .../secureattributes``: writes any secured attribute.
    WRITES_SECURED_DATA = "writes secured data"


@dataclass(frozen=True, slots=True)
class DataActionDefinition:
    """A Genesys Cloud data action defined in the repository, as flows call it (by name)."""

    #: The name flows call it by (an export's " - Exported <date>" suffix removed).
    name: str
    effect: DataActionEffect
    #: ``*.custom.json`` export or ``genesyscloud_integration_action`` resource.
    origin: Origin
    #: How it is written: the request type and URL template (no values: a template has none).
    request: str


@dataclass(slots=True)
class Deployments:
    """Every deployment found in a repository, by flow file, plus the findings made while
    reading ``.tf``/options files (FL100 for an unreadable ``.tf``, FL111, FL112...)."""

    by_file: dict[str, list[Deployment]] = field(default_factory=lambda: {})
    #: Files produced by ``local_file`` from a template: generated, replaced at apply time.
    generated: set[str] = field(default_factory=lambda: set())

    def fingerprint(self) -> str:
        """A digest of every deployment, stable across processes (cache environments use it)."""
        import hashlib

        state = repr((sorted((k, tuple(v)) for k, v in self.by_file.items()), sorted(self.generated)))
        return hashlib.sha256(state.encode("utf-8", "surrogatepass")).hexdigest()

    def for_file(self, path: str) -> tuple[Deployment, ...]:
        return tuple(self.by_file.get(path, ()))

    def add(self, deployment: Deployment) -> None:
        self.by_file.setdefault(deployment.file, []).append(deployment)
