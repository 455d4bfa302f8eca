"""What the server does for rentals on its own."""
