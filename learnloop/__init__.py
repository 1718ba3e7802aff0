"""learnloop: a platform a company runs to become a learning organization."""

__version__ = "0.1.0"
