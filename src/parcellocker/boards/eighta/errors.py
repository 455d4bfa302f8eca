from parcellocker.boards.port import BoardProtocolError


class EightAProtocolError(BoardProtocolError):
    """An 8A/80 frame that cannot be decoded or is not the reply asked for."""
