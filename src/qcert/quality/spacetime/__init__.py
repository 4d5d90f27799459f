"""Spatio-temporal quality patterns over locations (administrative divisions or plant lines).

- ``weights``: distances and binary neighbourhoods from coordinates;
- ``getis_ord``: G_i* hot and cold spots per time slice, with FDR control (``fdr``);
- ``trend``: the Mann-Kendall test and Sen's slope;
- ``emerging``: Esri's emerging hot spot categories;
- ``scan``: Kulldorff's space-time permutation scan with Monte Carlo p-values;
- ``cube``: a (slices x locations) array from a long table.

Arrays are (n_slices, n_locations), oldest slice first.
"""

from .cube import Cube, cube_from_frame
from .emerging import EmergingHotSpots, Pattern, classify, emerging_hot_spots
from .fdr import benjamini_hochberg
from .getis_ord import HotSpots, gi_star, hot_spots
from .scan import Cluster, ScanResult, space_time_permutation_scan
from .trend import MannKendall, mann_kendall
from .weights import distance_band, distance_matrix, k_nearest

__all__ = [
    "Cluster",
    "Cube",
    "EmergingHotSpots",
    "HotSpots",
    "MannKendall",
    "Pattern",
    "ScanResult",
    "benjamini_hochberg",
    "classify",
    "cube_from_frame",
    "distance_band",
    "distance_matrix",
    "emerging_hot_spots",
    "gi_star",
    "hot_spots",
    "k_nearest",
    "mann_kendall",
    "space_time_permutation_scan",
]
