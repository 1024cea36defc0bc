"""A small bundled list of common first names (US/UK census-style lists plus frequent names
from other languages), used by the rule-based person detector: a listed name followed by a
capitalized word ("Megan Payne"), after a greeting ("Hi Priya"), or after "I'm".

:data:`TITLES` and :data:`INTRO_OPENERS` are the other words a name follows ("Dr Nielsen",
"My name is Kwame"); with the first names they make the case-sensitive anchors of
:data:`ftprep.pii.scan.NAME_ANCHOR`.

Names that are also common English words at the start of a sentence (Will, May, Mark,
Grace, Hope, Bill, Art, Chase, June...) and place names (Austin, Georgia, Madison...) are
left out on purpose: "Will Acme ship it?" must not become a person.
"""

from __future__ import annotations

FIRST_NAMES: frozenset[str] = frozenset(
    """
    Aaron Abdul Abigail Adam Adrian Adriana Ahmed Aidan Aisha Alan Albert Alberto Alejandro
    Alex Alexander Alexandra Alexis Alfred Ali Alice Alicia Alison Allison Alyssa Amanda Amara
    Amelia Amina Amir Amit Amy Ana Andre Andrea Andreas Andrew Andy Angela Angelica Anita
    Ann Anna Anne Annie Anthony Antonio Arjun Arthur Ashley Audrey Ava Barbara Beatriz Ben
    Benjamin Bernard Beth Betty Beverly Bianca Blake Bobby Bonnie Brad Bradley Brandon Brenda
    Brendan Brian Bridget Brittany Bruce Bruno Bryan Caitlin Caleb Cameron Camila Carl Carla
    Carlos Carmen Carol Caroline Carolyn Catherine Cecilia Chad Charles Charlotte Cheryl Chloe
    Chloé Chris Christian Christina Christine Christopher Cindy Claire Clara Claudia Colin
    Colleen Connor Craig Cristina Cynthia Dan Daniel Daniela Danielle David Deborah
    Debra Denise Dennis Derek Diana Diane Diego Dmitri Dominic Donald Donna Doris Dorothy
    Douglas Dustin Dylan Edward Eleanor Elena Elif Elijah Elisa Elizabeth Ella Ellen Emily Emma
    Eric Erica Erik Erin Ethan Eugene Eva Evelyn Fatima Felipe Felix Fernando Fiona Francesca
    Francesco Francis Frank Gabriel Gabriela Gabrielle Gary George Gerald Giovanni Giulia
    Gloria Gregory Gustavo Hailey Hannah Hans Harold Harry Hassan Heather Helen Henry Hiroshi
    Hugo Ian Ibrahim Ines Irene Isaac Isabel Isabella Ivan Jacob Jacqueline Jake James Jamie
    Jane Janet Janice Jason Javier Jean Jeffrey Jennifer Jeremy Jerry Jesse Jessica Jillian
    Joan Joanna Joe Joel John Jonathan Jorge Jose Joseph Joshua José Joyce Juan Judith Julia
    Julian Julie Justin Karen Karim Kate Katherine Kathleen Kathryn Katie Kayla Keith Kelly
    Kendra Kenji Kenneth Kevin Kim Kimberly Klaus Kristen Kristin Kyle Lara Laura Lauren
    Lawrence Leah Leila Leo Leon Liam Linda Lisa Lorenzo Louis Louise Lucas Lucia Luis Luisa
    Luke Lydia Manuel Marco Margaret Maria Marie Marina Mario Marisa Martha Martin Mary Mateo
    Matthew Maya Megan Mehmet Mei Melanie Melissa Mia Michael Michelle Miguel Mikhail Mohammed
    Monica Muhammad Nadia Nancy Natalie Nathan Nicholas Nicole Nikhil Nina Noah Nora Olga
    Olivia Omar Oscar Pablo Pamela Patricia Patrick Paul Paula Pedro Peter Philip Pierre Pooja
    Priya Rachel Rahul Ralph Ramon Randy Raquel Raul Ravi Rebecca Richard Rita Robert Roberto
    Robin Roger Roland Ronald Ruth Ryan Sabrina Samantha Samuel Sandra Sara Sarah Scott Sean
    Sebastian Sergei Shannon Sharon Shawn Shelby Shirley Simon Sofia Sophia Sophie Stefan
    Stephanie Stephen Steven Susan Sven Sylvia Tamara Tanya Taylor Teresa Theresa Thomas
    Tiffany Timothy Tina Todd Tom Tomas Tony Tracy Travis Tyler Valentina Valerie Vanessa Vera
    Veronica Victor Victoria Vincent Walter Wayne Wei Wendy William Xavier Yasmin Yuki Yusuf
    Zachary Zoe Zoë
    """.split()  # noqa: SIM905 (a word list reads better than 400 quoted strings)
)

TITLES: frozenset[str] = frozenset({"Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Professor",
                                    "Sir", "Dame", "Mme", "Mlle", "Herr", "Frau", "Sr", "Sra",
                                    "mr", "mrs", "ms", "dr"})  # fmt: skip
#: introductions that open a sentence ("My name is X")
INTRO_OPENERS: frozenset[str] = frozenset({"My name is", "My name's", "Me llamo", "Je m'appelle",
                                           "Mi chiamo", "Ich heiße", "Ich heisse", "Call me"})  # fmt: skip
