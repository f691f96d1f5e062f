"""Invoicing: vendors bill what they shipped, buyers and operators read, payments and overdue invoices."""
