"""The product's face: the `secondbrain` CLI (and, later, the Streamlit chat)."""
