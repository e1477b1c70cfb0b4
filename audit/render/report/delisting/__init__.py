"""The report's delisting chapter: one playbook per list operator (playbook.py) and per
classified rejection (rejections.py), each with its request letter."""
