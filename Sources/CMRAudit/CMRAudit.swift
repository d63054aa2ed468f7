// The CMRAudit module: see README.md.
