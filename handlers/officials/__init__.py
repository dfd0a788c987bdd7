"""The officials' side: jurisdiction, inbox, answering feedback, reviewing and recognising
practices, invites and figures. Every action re-checks role and jurisdiction on the server."""
