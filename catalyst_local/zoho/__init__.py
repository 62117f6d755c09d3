"""The embedded Zoho sandbox: Accounts OAuth and the CRM Bulk Write API, served under /zoho."""
