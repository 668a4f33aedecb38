from django.dispatch import Signal

# Sent after commit when a CN changed state: kwargs delivery_id, from_state, to_state.
delivery_transitioned = Signal()
