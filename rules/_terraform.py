"""Builders for the Terraform in rule examples: a ``genesyscloud_flow`` deploying a flow file."""


def flow_resource(resource: str, filepath: str, substitutions: dict[str, str], *, extra: str = "") -> str:
    """A ``genesyscloud_flow`` resource block; ``substitutions`` values are HCL expressions."""
    lines = [f'resource "genesyscloud_flow" "{resource}" {{', f'  filepath = "{filepath}"']
    if substitutions:
        width = max(len(key) for key in substitutions)
        lines.append("  substitutions = {")
        lines.extend(f"    {key.ljust(width)} = {value}" for key, value in substitutions.items())
        lines.append("  }")
    if extra:
        lines.append(extra)
    lines.append("}")
    return "\n".join(lines) + "\n"
