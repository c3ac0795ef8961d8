"""Meeting pages (issue 4): convening, the agenda, invitations and answers, QR sign-in, minutes."""
