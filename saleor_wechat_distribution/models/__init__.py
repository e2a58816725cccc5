from .distributors import Distributor, DistributorEvent

__all__ = ["Distributor", "DistributorEvent"]
