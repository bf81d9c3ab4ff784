#!/bin/sh
# `make run`: starts swdd on the simulated lab (replaced when the server lands).
exec build/swdd "$@"
