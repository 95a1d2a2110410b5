"""The people and departments of a business (table business_people): who a message is for, where a
transfer rings. Read by the worker's tools, edited in the console."""
