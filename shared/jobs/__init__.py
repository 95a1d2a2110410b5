"""Background jobs: rows in the database (job_store) carried to a consumer by a queue (job_queue)."""
