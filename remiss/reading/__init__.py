"""Reading an existing tjänsteutlåtande (text, Word or PDF) into what a draft response needs."""
