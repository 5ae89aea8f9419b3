"""The knowledge base: FAQ articles (L1 answers) agents link in replies and customers read."""
