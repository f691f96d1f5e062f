"""Requests for quotation: what a buyer asks for, from whom, until when."""
