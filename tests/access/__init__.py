"""Who may see and change what: the access module, the matrix of every URL, the crawl."""
