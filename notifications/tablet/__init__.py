"""The tablet: the officer's screens on a delivery (views), their forms, and their urls."""
