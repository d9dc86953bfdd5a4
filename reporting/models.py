"""Reports rendered as PDFs; the models arrive with the reporting issue."""
