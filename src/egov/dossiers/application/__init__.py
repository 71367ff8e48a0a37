"""Applying on the web, for the citizen's online application (portal) and the desk's in-person
registration (one-stop workspace): ``form`` (the procedure's application form, from its JSON
Schema, as an accessible HTML form validated on the server) and ``page`` (what the application
page shows beside it: the receiving agency, the documents to bring, fees and expected date)."""
