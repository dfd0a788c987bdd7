"""The officials' web console: the same inbox, records and actions as the chat, at a desk.

Web routes only: who may see what is decided by handlers/officials (jurisdiction.py, the same
policy as the chat's buttons), data comes from storage/ repositories, and every action is a
handlers/officials function run in a `desk_context`. Sign-in is passwordless: /dangnhap in the
chat gives a one-time link (handlers/officials/console_signin.py)."""
