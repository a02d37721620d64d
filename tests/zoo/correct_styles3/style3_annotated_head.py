import numpy as np
import keras
from keras import layers

def make_sequential():
    return keras.Sequential(
        [
            keras.Input(shape=(784,)),
            layers.Dense(256, activation="relu"),
            layers.Dense(64, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ],
        name="mlp_sequential",
    )


seq_model = make_sequential()
seq_model.summary()

head = seq_model.pop()
print("removed:", head.name, head.units, head.activation.__name__)
head: keras.layers.Layer = layers.Dense(10, activation="softmax")
seq_model.add(head)
print(len(seq_model.layers))  # 3
assert seq_model.layers[-1] is head and len(seq_model.layers) == 3

inputs = keras.Input(shape=(784,), name="pixels")
h = layers.Dense(256, activation="relu")(inputs)
h = layers.Dense(64, activation="relu")(h)
outputs = layers.Dense(10, activation="softmax")(h)
fn_model = keras.Model(inputs=inputs, outputs=outputs, name="mlp_functional")

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
print("functional == subclassed")

print(len(fn_model.weights))                # 6
print(len(fn_model.trainable_weights))      # 6
print(len(fn_model.non_trainable_weights))  # 0
fn_model.layers[1].trainable = False        # freeze the first Dense
print(len(fn_model.trainable_weights))      # 4
fn_model.layers[1].trainable = True         # unfreeze
assert len(fn_model.trainable_weights) == 6

keras.mixed_precision.set_global_policy("mixed_float16")
mp_model = keras.Sequential(
    [
        keras.Input(shape=(784,)),
        layers.Dense(256, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax", dtype="float32"),
    ],
    name="mlp_mixed",
)
first = mp_model.layers[0]
print(first.dtype_policy, first.variable_dtype, first.compute_dtype)
print(mp_model.layers[-1].compute_dtype)
keras.mixed_precision.set_global_policy("float32")
