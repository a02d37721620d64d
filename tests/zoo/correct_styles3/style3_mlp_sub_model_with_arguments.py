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

inputs = keras.Input(shape=(784,), name="pixels")
h = layers.Dense(256, activation="relu")(inputs)
h = layers.Dense(64, activation="relu")(h)
outputs = layers.Dense(10, activation="softmax")(h)
fn_model = keras.Model(inputs=inputs, outputs=outputs, name="mlp_functional")

class MLP(keras.Model):
    def __init__(self, hidden=(128, 32), n_out=10, **kwargs):
        super().__init__(**kwargs)
        self.hidden = [layers.Dense(u, activation="relu") for u in hidden]
        self.out_layer = layers.Dense(n_out, activation="softmax")

    def call(self, inputs, training=False):
        x = inputs
        for layer in self.hidden:
            x = layer(x)
        return self.out_layer(x)

sub_model = MLP(hidden=(256, 64), name="mlp_subclassed")
sub_model(np.zeros((1, 784), "float32"))
sub_model.set_weights(fn_model.get_weights())

print(len(fn_model.weights), len(fn_model.trainable_weights), len(fn_model.non_trainable_weights))
fn_model.layers[1].trainable = False
print(len(fn_model.trainable_weights))
fn_model.layers[1].trainable = True

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
keras.mixed_precision.set_global_policy("float32")

seq_model.pop()
seq_model.add(layers.Dense(10, activation="softmax"))

img_in = keras.Input(shape=(784,), name="pixels")
meta_in = keras.Input(shape=(8,), name="metadata")
tx = layers.Dense(256, activation="relu")(img_in)
tx = layers.Dense(64, activation="relu")(tx)
tm = layers.Dense(16, activation="relu")(meta_in)
tmerged = layers.concatenate([tx, tm])
digit_out = layers.Dense(10, activation="softmax", name="digit")(tmerged)
hard_out = layers.Dense(1, activation="sigmoid", name="is_hard")(tmerged)
two_headed = keras.Model(inputs=[img_in, meta_in], outputs=[digit_out, hard_out], name="two_headed_mlp")
two_headed.compile(optimizer="adam",
    loss={"digit": "sparse_categorical_crossentropy", "is_hard": "binary_crossentropy"},
    loss_weights={"digit": 1.0, "is_hard": 0.3}, metrics={"digit": ["accuracy"]})

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64, activation="relu", name="enc_dense_2")
merged = layers.concatenate([enc2(enc1(left)), enc2(enc1(right))])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
