"""Quality diagnosis: pure analysis, arrays and data frames in, results out.

Nothing here opens a database, a socket or a file it was not given; the lifecycle,
the API and the command line call it with data they read themselves.
"""
