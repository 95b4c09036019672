"""`kbtool watch`: new arXiv papers matching the researcher's interests, into the inbox."""
