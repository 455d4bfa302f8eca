"""Request and response bodies of the API (pydantic), named `<Thing>Create` and `<Thing>Public`."""
