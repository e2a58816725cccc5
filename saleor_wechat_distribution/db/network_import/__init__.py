"""The SQL of a network import (``services/network_import/``): the staging tables and plain helpers
(``staging``), the rules' statements (``checks``), where rows land (``placement``) and the real run's
writes (``writes``)."""
