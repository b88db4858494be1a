#!/bin/sh
# The test server's --auth-user-pass-verify script (via-file): accepts the client when the
# SHA-256 of the file OpenVPN hands over ("username\npassword\n") is the expected one, kept
# in expected.sha256 beside this script (so the password itself is written nowhere).
want=$(cat "$(dirname "$0")/expected.sha256")
got=$(sha256sum < "$1" | cut -d' ' -f1)
[ "$got" = "$want" ]
