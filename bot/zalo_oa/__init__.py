"""The Zalo Official Account channel (OA Open API v3): webhooks in, `/v3.0/oa/message/cs` out.

What is known of the API, and how sure, is in ZALO-NOTES §2 (shared notes beside the project).
"""
