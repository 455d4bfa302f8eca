"""One router per resource, each thin: parse, build the command, run the use case, answer."""
