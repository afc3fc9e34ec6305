"""Segue's tools: catalog search, taste profiles, content filter (see ALL_TOOLS in tools.agent_tools)."""
