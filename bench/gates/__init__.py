"""The quality gates `make test` runs on a trained model: each prints its score and fails below
its minimum. Not part of the running assistant; bot/ never imports them."""
