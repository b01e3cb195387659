"""Operations: the web and worker roles, the worker lease, retention, metrics and update logs."""
