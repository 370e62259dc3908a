"""Search-quality benchmark: graded development queries, the runner, metrics and the stock baseline."""
