"""Chat platforms, one package each: console (terminal), slack, teams. Each renders the reply model natively."""
