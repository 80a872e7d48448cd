"""After the call: the stakeholders' gut check, team practices, the hiring benchmark and the employee survey."""
