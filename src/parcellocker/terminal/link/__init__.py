"""The link between the terminal and the server: the `Link` port, its HTTP adapter, and how healthy it is."""
