# fn_model with its hidden layers grouped in a Sequential "body" sub-model (so I can reuse the
# body later); the first Dense is the body's first layer.
import numpy as np
import keras
from keras import layers

body = keras.Sequential([
    layers.Dense(256, activation="relu", name="hidden_1"),
    layers.Dense(64, activation="relu", name="hidden_2"),
], name="body")
inputs = keras.Input(shape=(784,), name="pixels")
outputs = layers.Dense(10, activation="softmax", name="head")(body(inputs))
fn_model = keras.Model(inputs, outputs, name="mlp_functional")

print(len(fn_model.weights))                # 6
print(len(fn_model.trainable_weights))      # 6
print(len(fn_model.non_trainable_weights))  # 0

first_dense = fn_model.get_layer("body").get_layer("hidden_1")
first_dense.trainable = False               # freeze the first Dense
print(len(fn_model.trainable_weights))      # 4
assert len(fn_model.trainable_weights) == 4
first_dense.trainable = True                # unfreeze
print(len(fn_model.trainable_weights))      # 6


# --- the rest of the lesson's MLP section ---
def make_sequential():
    return keras.Sequential([keras.Input(shape=(784,)),
                             layers.Dense(256, activation="relu"),
                             layers.Dense(64, activation="relu"),
                             layers.Dense(10, activation="softmax")], name="mlp_sequential")


seq_model = make_sequential()


class MLP(keras.Model):
    def __init__(self, hidden_units=(256, 64), num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.hidden = [layers.Dense(u, activation="relu") for u in hidden_units]
        self.head = layers.Dense(num_classes, activation="softmax")

    def call(self, inputs, training=False):
        x = inputs
        for layer in self.hidden:
            x = layer(x)
        return self.head(x)


sub_model = MLP(name="mlp_subclassed")
sub_model(np.zeros((1, 784), dtype="float32"))
x = np.random.rand(4, 784).astype("float32")
sub_model.set_weights(fn_model.get_weights())
np.testing.assert_allclose(fn_model.predict(x, verbose=0), sub_model.predict(x, verbose=0), rtol=1e-6)
