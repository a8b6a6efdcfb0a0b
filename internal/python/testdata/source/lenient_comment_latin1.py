# Auteur: René
x = 1
