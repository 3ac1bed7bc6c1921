//! Datanets: rows, versions, deposits, curation
