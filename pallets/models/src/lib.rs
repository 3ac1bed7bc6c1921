//! Model registry: base models, fine-tune jobs, adapters, lineage, workers
