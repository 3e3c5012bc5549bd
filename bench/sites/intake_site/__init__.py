"""The site `bench/intake.py` serves: cellclinic itself plus one bare view, its baseline."""
