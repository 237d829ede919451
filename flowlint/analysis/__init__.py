"""Project-wide analyses shared by the rules: attribute table, flow graph, dataflow, taint."""
