from parcellocker.boards.port import BoardProtocolError


class KerongProtocolError(BoardProtocolError):
    """A Kerong frame that cannot be decoded or is not the reply asked for."""
