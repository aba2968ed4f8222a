//! The municipality's own screening (being written).
