"""Every query the application makes lives here; flows and web handlers call these functions.

All datetimes passed in and stored are timezone-aware UTC.
"""
