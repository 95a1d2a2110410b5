"""What the receptionist can do during a call: tools the planners ask for by name (tool.py: the interface;
tool_desk.py: runs one with its timeout, the hold line and the call's log; one file per tool)."""
